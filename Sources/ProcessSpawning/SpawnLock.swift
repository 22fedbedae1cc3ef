import Synchronization

/// Serialises the creation of our pipes with every spawn.
///
/// Without pipe2 (which Glibc's Swift module does not export) a pipe is made close-on-exec in
/// two steps; a spawn on another thread between them would hand our pipe end to its child, and
/// our reads would never see end of file. ``InheritedDescriptors`` closes such descriptors too,
/// but only where the C library offers closefrom; the lock holds everywhere.
let spawnLock = Mutex(())
