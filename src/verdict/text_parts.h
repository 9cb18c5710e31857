// The verdict's words, split by what they hold (internal to verdict/text*.cpp):
//   text.cpp          render(): the sentence and explanation per rule, then the caveats
//   text_methods.cpp  the longer per-family texts (passthrough, sparse, SLERP, linear, null)
//   text_caveats.cpp  one sentence per caveat code, and the codes' JSON names
//   text_format.h     how numbers, shares and lists are written
#pragma once
#include <string>

#include "verdict/verdict.h"

namespace mp::verdict::words {

// " The control fine-tune of the same base scores ..." ("" without a control).
std::string control_sentence(const GroupResult& o);
void passthrough_text(Verdict& v, bool partial);
void sparse_text(Verdict& v);
void slerp_text(Verdict& v);
void linear_text(Verdict& v);
void null_or_between_text(Verdict& v);
std::string caveat_text(const Verdict& v, CaveatCode c);
// "cos_fit 0.171" with, for a quantized suspect, " against a quantization floor of 0.166": the
// measured fit, never the normalised one the rules read.
std::string fit_words(const Evidence& ev, int decimals = 3);
void quantized_copy_text(Verdict& v);

}  // namespace mp::verdict::words
