#include "estimators.h"
