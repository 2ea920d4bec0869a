#ifndef HEADROOM_CCURL_SHIM_H
#define HEADROOM_CCURL_SHIM_H

#if !__has_include(<curl/curl.h>)
#error "libcurl headers not found: install them with 'apt-get install libcurl4-openssl-dev' (Debian) or provide libcurl via pkg-config"
#endif

#include <curl/curl.h>
#include <string.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic; Swift cannot call them. One typed
   wrapper per argument type. */
static inline CURLcode headroom_curl_set_long(CURL *curl, CURLoption option, long value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode headroom_curl_set_offset(CURL *curl, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode headroom_curl_set_pointer(CURL *curl, CURLoption option, const void *value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode headroom_curl_get_long(CURL *curl, CURLINFO info, long *value) {
    return curl_easy_getinfo(curl, info, value);
}

static inline CURLcode headroom_curl_get_offset(CURL *curl, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(curl, info, value);
}

/* The first bytes of the response body, for error messages; the rest is dropped. */
struct headroom_curl_body {
    char bytes[512];
    size_t length;
};

static size_t headroom_curl_keep_head(char *data, size_t size, size_t count, void *user) {
    struct headroom_curl_body *body = (struct headroom_curl_body *)user;
    size_t total = size * count;
    size_t room = sizeof(body->bytes) - body->length;
    size_t take = total < room ? total : room;
    memcpy(body->bytes + body->length, data, take);
    body->length += take;
    return total;
}

/* Sets the write callback that keeps the head of the body in `body`. */
static inline CURLcode headroom_curl_keep_body(CURL *curl, struct headroom_curl_body *body) {
    CURLcode code = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, headroom_curl_keep_head);
    if (code != CURLE_OK) return code;
    return curl_easy_setopt(curl, CURLOPT_WRITEDATA, (void *)body);
}

#endif
