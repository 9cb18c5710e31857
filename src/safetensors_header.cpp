#include "safetensors_header.h"
