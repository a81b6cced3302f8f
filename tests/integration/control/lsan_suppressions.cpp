// libpqxx 6.4 (Debian 12) leaks the PGresult of a statement that finds its connection broken:
// connection_base::make_result asks for the client encoding before taking ownership of the
// result, and that throws on a dead connection (fixed upstream in libpqxx 7, jtv/libpqxx#500).
// RunHistory tests provoke exactly that on purpose; under LeakSanitizer (TW_SANITIZE=ON) this
// keeps the library's leak from failing them, and only allocations made inside pqxx's statement
// execution are exempt.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:pqxx::connection_base::exec_params\n"
         "leak:pqxx::connection_base::exec\n";
}
