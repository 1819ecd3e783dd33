// The seed's hello world: one raw system call, write(1, "Hello world\n", 12).
syscall(1, 1, "Hello world\n", 12);
