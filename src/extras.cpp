#include "extras.h"
