#include "daemon/metrics_server.h"
