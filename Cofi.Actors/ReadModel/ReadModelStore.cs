using Cofi.Actors.Configuration;
using Cofi.Actors.Persistence;
using LinqToDB.Data;
using Microsoft.Data.Sqlite;

namespace Cofi.Actors.ReadModel;

/// <summary>
/// Writes read-model changes in one transaction together with the journal positions they reach: after any crash, the
/// offsets say exactly which events the read model holds. Both databases get multi-row INSERTs (upserts for the keyed
/// tables) of at most <see cref="RowsPerStatement"/> rows: MySQL / MariaDB as one round trip each
/// (<see cref="MultiRowInsert"/>), SQLite as a statement prepared once per table and flush and run for each group
/// (<see cref="SqliteInsert"/>).
/// The tables live in <see cref="DatabaseSettings.ReadModel"/> of the <paramref name="journal"/>'s database.
/// </summary>
public sealed class ReadModelStore(DatabaseSettings journal, PipelineSettings pipeline, int rowsPerStatement)
{
    private readonly DatabaseSettings _readModel = journal.ReadModel;
    private readonly SqlDialect _d = journal.IsMySql ? SqlDialect.MySql : SqlDialect.Sqlite;
    private readonly ReadModelLayouts _layouts = new(journal.IsMySql ? SqlDialect.MySql : SqlDialect.Sqlite, pipeline);
    private readonly WalCheckpointer? _checkpointer = journal.IsSqlite ? new WalCheckpointer(journal.ReadModel) : null;

    public int RowsPerStatement { get; } = rowsPerStatement;

    /// <summary>
    /// What one write did: statements issued, of which INSERTs into batchExecutionLog, and its rows; or, when
    /// <see cref="Conflicts"/> is not empty, nothing: those actors' positions had moved, and the transaction was rolled back.
    /// </summary>
    public sealed record WriteResult(int Statements, int LogStatements, int Rows, IReadOnlyList<string> Conflicts)
    {
        public static WriteResult Refused(IReadOnlyList<string> conflicts) => new(0, 0, 0, conflicts);
    }

    /// <summary>
    /// Writes <paramref name="changes"/> in one transaction. On SQLite the commit leaves the WAL to
    /// <see cref="WalCheckpointer"/> instead of copying it into the database file itself.
    /// </summary>
    public WriteResult Write(ReadModelChanges changes)
    {
        using var connection = _readModel.Connect();
        if (_checkpointer is null) return Write(connection, changes);
        _checkpointer.BeforeWrite();
        // Per connection, and connections are pooled: set back for whoever takes this one next.
        connection.Execute("PRAGMA wal_autocheckpoint = 0");
        try
        {
            return Write(connection, changes);
        }
        finally
        {
            connection.Execute("PRAGMA wal_autocheckpoint = 1000");
            _checkpointer.AfterWrite();
        }
    }

    private WriteResult Write(DataConnection connection, ReadModelChanges changes)
    {
        using var transaction = connection.BeginTransaction();
        var conflicts = Conflicts(connection, changes.Expected);
        if (conflicts.Count > 0)
        {
            transaction.Rollback();
            return WriteResult.Refused(conflicts);
        }
        var logStatements = Insert(connection, _layouts.Log, changes.Log);
        var statements = logStatements
            + Insert(connection, _layouts.Attempts, changes.Attempts)
            + Insert(connection, _layouts.Results, changes.Results)
            + Insert(connection, _layouts.Distribution, changes.Distribution.Values)
            + Insert(connection, _layouts.Batches, changes.Batches.Values)
            + Insert(connection, _layouts.Offsets, changes.Offsets)
            + Forget(connection, changes.Purged);
        transaction.Commit();
        return new WriteResult(statements, logStatements, changes.Rows, []);
    }

    /// <summary>
    /// The actors whose stored position is not the one the rows follow on. On MySQL the offset rows stay locked
    /// (FOR UPDATE) until the transaction ends, so two writers cannot both pass this check; SQLite has one writer at a time.
    /// </summary>
    private List<string> Conflicts(DataConnection connection, IReadOnlyDictionary<string, long> expected)
    {
        if (expected.Count == 0) return [];
        var ids = expected.Keys.ToList();
        var parameters = ids.Select((id, i) => new DataParameter("o" + i, id)).ToArray();
        var sql = $"SELECT persistence_id, sequence_nr FROM {_d.Quote(ReadModelTables.Offsets)} WHERE persistence_id IN ({string.Join(", ", parameters.Select(p => "@" + p.Name))})"
            + (_d.IsMySql ? " FOR UPDATE" : "");
        var stored = connection.Query(r => (Id: r.GetString(0), Seq: r.GetInt64(1)), sql, parameters).ToDictionary(x => x.Id, x => x.Seq, StringComparer.Ordinal);
        return ids.Where(id => stored.GetValueOrDefault(id) != expected[id]).ToList();
    }

    /// <summary>
    /// Deletes the batchStatus rows of purged batches, in the transaction that wrote the rows before: a stage's rows
    /// projected after the purge event within one write cannot bring a purged batch back.
    /// </summary>
    private int Forget(DataConnection connection, IReadOnlyCollection<long> purged)
    {
        if (purged.Count == 0) return 0;
        connection.Execute($"DELETE FROM {_d.Quote(ReadModelTables.BatchStatus)} WHERE id IN ({string.Join(", ", purged)})");
        return 1;
    }

    /// <summary>Writes <paramref name="rows"/> as <paramref name="layout"/> says; returns the statements executed.</summary>
    private int Insert<T>(DataConnection connection, RowLayout<T> layout, IReadOnlyCollection<T> rows)
    {
        if (rows.Count == 0) return 0;
        return _d.IsMySql
            ? MultiRowInsert.Insert(connection, layout, rows, RowsPerStatement)
            : SqliteInsert.Insert((SqliteConnection)connection.OpenDbConnection(), layout, rows, RowsPerStatement);
    }

    /// <summary>Every projected position, by persistence id.</summary>
    public Dictionary<string, Checkpoint> Checkpoints()
    {
        using var connection = _readModel.Connect();
        return connection.Query(r => (Id: r.GetString(0), Checkpoint: new Checkpoint(r.GetInt64(1), r.GetInt32(2))),
                $"SELECT persistence_id, sequence_nr, processed FROM {_d.Quote(ReadModelTables.Offsets)}")
            .ToDictionary(x => x.Id, x => x.Checkpoint, StringComparer.Ordinal);
    }

    /// <summary>The newest sequence number in the journal of every persistent actor the read model follows.</summary>
    public Dictionary<string, long> JournalHeads()
    {
        using var connection = journal.Connect();
        return connection.Query(r => (Id: r.GetString(0), Seq: r.GetInt64(1)),
                $"SELECT persistence_id, MAX(sequence_number) FROM journal WHERE persistence_id = '{PersistenceIds.BatchManager}' OR persistence_id LIKE '{PersistenceIds.AnyStageLike}' GROUP BY persistence_id")
            .ToDictionary(x => x.Id, x => x.Seq, StringComparer.Ordinal);
    }
}
