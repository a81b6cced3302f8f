// Placeholder: the daemon's main lands with the daemon part.
int main() { return 0; }
