#include "aggregate.h"
