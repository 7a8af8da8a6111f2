#include "control/metrics.h"
