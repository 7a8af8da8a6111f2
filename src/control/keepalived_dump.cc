#include "control/keepalived_dump.h"
