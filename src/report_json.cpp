#include "report_json.h"
