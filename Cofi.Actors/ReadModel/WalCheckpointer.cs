using Cofi.Actors.Persistence;
using LinqToDB.Data;

namespace Cofi.Actors.ReadModel;

/// <summary>
/// Copies the SQLite read model's WAL into its database file beside the writer rather than inside its commits.
/// SQLite's automatic checkpoint runs in the committing call and syncs the file, which held a flush up for as long as
/// a second on a busy disk; here a write's commit returns at once and a checkpoint follows on another thread while the
/// next group is written. A WAL that has a writer in it at every moment is never started over and would grow with
/// everything written, so once it is long the next write first waits for the checkpoint under way, after which
/// SQLite starts the WAL over. Used by one writer at a time (the EventWriter's flushes follow one another).
/// </summary>
public sealed class WalCheckpointer(DatabaseSettings readModel)
{
    /// <summary>About 64 MiB of the read model's 16 KiB pages.</summary>
    public const int PagesBeforeWaiting = 4_096;

    private Task<int>? _running;
    private int _pages;

    /// <summary>Waits for the checkpoint under way when the WAL was long at the last one that finished.</summary>
    public void BeforeWrite()
    {
        if (_running is not { } running) return;
        if (!running.IsCompleted && _pages >= PagesBeforeWaiting)
        {
            try
            {
                running.Wait();
            }
            catch (AggregateException)
            {
                // The next checkpoint copies what this one did not.
            }
        }
        Settle();
    }

    /// <summary>Starts a checkpoint of what the write added, unless one is under way.</summary>
    public void AfterWrite()
    {
        if (_running is { IsCompleted: false }) return;
        Settle();
        _running = Task.Run(Checkpoint);
    }

    private void Settle()
    {
        if (_running is { IsCompletedSuccessfully: true } done) _pages = done.Result;
    }

    /// <summary>A checkpoint that waits for no reader or writer; returns the WAL's length in pages.</summary>
    private int Checkpoint()
    {
        using var connection = readModel.Connect();
        return connection.Query(r => r.GetInt32(1), "PRAGMA wal_checkpoint(PASSIVE)").First();
    }
}
