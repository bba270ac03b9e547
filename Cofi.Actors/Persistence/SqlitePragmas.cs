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

    /// <summary>
    /// WAL is a property of the database file: set once, before any plugin opens it. A database created here gets
    /// pages of <paramref name="pageSize"/> bytes when given (SQLite fixes the page size with the first write; an
    /// existing file keeps its own).
    /// </summary>
    public static void EnableWal(string connectionString, int? pageSize = null)
    {
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = (pageSize is { } size ? $"PRAGMA page_size = {size}; " : "") + "PRAGMA journal_mode = WAL;";
        command.ExecuteNonQuery();
    }
}
