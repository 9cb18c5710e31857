#include "matching.h"
