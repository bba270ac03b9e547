using System.Data.Common;
using Akka.Actor;
using Akka.Event;
using Cofi.Actors.Persistence;

namespace Cofi.Actors.Batches;

/// <summary>
/// A child of the BatchManager that, on MySQL / MariaDB, holds a named lock (<c>GET_LOCK</c>) on a connection of its
/// own for as long as the manager runs, so that a maintenance command on the database (<c>db prune</c>) can tell that
/// a coordinator uses it and refuse. The lock is advisory: the manager runs without it (a standby that took over while
/// the old session lingers). The server releases it when the process dies. On SQLite the process's lock file serves.
/// </summary>
public sealed class ManagerLock : ReceiveActor
{
    public const string ActorName = "database-lock";

    // Named locks are server-wide: the database's name keeps each database's apart.
    private const string LockName = "CONCAT('cofi-batch-manager:', DATABASE())";

    private readonly DatabaseSettings _database;
    private DbConnection? _connection;

    public ManagerLock(DatabaseSettings database) => _database = database;

    public static Props Props(DatabaseSettings database) => Akka.Actor.Props.Create(() => new ManagerLock(database));

    /// <summary>Whether a BatchManager holds the lock on the database now; false on SQLite.</summary>
    public static bool IsHeld(DatabaseSettings db)
    {
        if (!db.IsMySql) return false;
        using var connection = db.OpenRawConnection();
        return Scalar(connection, $"SELECT IS_USED_LOCK({LockName})") is not (null or DBNull);
    }

    protected override void PreStart()
    {
        if (!_database.IsMySql) return;
        try
        {
            _connection = _database.OpenRawConnection();
            if (Convert.ToInt64(Scalar(_connection, $"SELECT COALESCE(GET_LOCK({LockName}, 0), 0)")) == 1) return;
            Context.GetLogger().Warning("Another session holds the batch manager's lock on the database; running without it");
        }
        catch (Exception e)
        {
            Context.GetLogger().Warning(e, "Could not take the batch manager's lock on the database; db prune will not see that this coordinator uses it");
        }
        _connection?.Dispose();
        _connection = null;
    }

    protected override void PostStop() => _connection?.Dispose();

    private static object? Scalar(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
