using System.Data.Common;
using LinqToDB.Interceptors;
using Microsoft.Data.Sqlite;

namespace Cofi.Actors.Persistence;

/// <summary>
/// SQLite fsyncs every commit by default. With WAL, <c>synchronous = NORMAL</c> keeps the database consistent
/// after a process kill (only an OS crash can lose the last commits) and lets the journal keep up.
/// It is per connection, so it is set as each connection opens.
/// </summary>
internal sealed class SqlitePragmas : ConnectionInterceptor
{
    public override void ConnectionOpened(ConnectionEventData eventData, DbConnection connection) => Apply(connection);

    public override Task ConnectionOpenedAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000;";
        command.ExecuteNonQuery();
    }

    /// <summary>WAL is a property of the database file: set once, before any plugin opens it.</summary>
    public static void EnableWal(string connectionString)
    {
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        command.ExecuteNonQuery();
    }
}
