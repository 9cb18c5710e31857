// What an access token may be. It travels as `Authorization: Bearer <token>`, so it must be a
// string a header can carry: visible ASCII only (Hub tokens are `hf_` + letters and digits). Anything
// else would make fetch throw, which looked like "could not reach the hub" after the retries; it is
// refused at once instead, before any request, and the message never repeats the token.
export const INVALID_TOKEN = 'this token is not valid: it contains characters that cannot be sent in an HTTP header';

/** '' when `token` is empty or can be sent; else the message to show. @param {string | undefined} token */
export function tokenProblem(token) {
  return token && !/^[\x21-\x7E]+$/.test(token) ? INVALID_TOKEN : '';
}
