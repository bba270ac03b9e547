namespace Cofi.Host.Runtime;

/// <summary>
/// Only one process may run batches on an embedded SQLite database: two coordinators on one file would both
/// dispatch the same work. An exclusive lock file next to the database enforces it.
/// </summary>
public sealed class DatabaseLock : IDisposable
{
    private readonly FileStream _stream;

    private DatabaseLock(FileStream stream) => _stream = stream;

    public static DatabaseLock Acquire(string databaseFile)
    {
        var path = databaseFile + ".lock";
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            using (var writer = new StreamWriter(stream, leaveOpen: true)) writer.Write(Environment.ProcessId);
            return new DatabaseLock(stream);
        }
        catch (IOException)
        {
            throw new DatabaseBusyException($"another Cofi process is running batches on {databaseFile} (lock file {path}); only one coordinator may use an SQLite database");
        }
    }

    public void Dispose() => _stream.Dispose();
}

public sealed class DatabaseBusyException(string message) : Exception(message);
