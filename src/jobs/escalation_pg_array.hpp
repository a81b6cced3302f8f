#pragma once

// Private to the jobs part: PostgreSQL array literals for parameters ($1::bigint[],
// $1::text[]). libpqxx 6 has no array parameter type; a literal passed as a parameter is still
// data, never SQL text.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace ticketwatch::jobs {

// {1,2,3}
std::string pg_array(const std::vector<std::int64_t>& values);
std::string pg_array(const std::set<std::int64_t>& values);
// {"low","a \"quoted\" one"}: every element quoted, so commas, braces, spaces, NULL and empty
// strings stay literal text.
std::string pg_array(const std::vector<std::string>& values);

}  // namespace ticketwatch::jobs
