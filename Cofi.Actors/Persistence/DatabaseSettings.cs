using LinqToDB;
using Microsoft.Data.Sqlite;

namespace Cofi.Actors.Persistence;

/// <summary>Where the journal, snapshots and read model live.</summary>
public sealed record DatabaseSettings(string ConnectionString, string ProviderName, string Description)
{
    public bool IsSqlite => ProviderName == LinqToDB.ProviderName.SQLiteMS;

    public static DatabaseSettings Sqlite(string path)
    {
        var full = Path.GetFullPath(path);
        var builder = new SqliteConnectionStringBuilder { DataSource = full, Pooling = true, DefaultTimeout = 30 };
        return new DatabaseSettings(builder.ToString(), LinqToDB.ProviderName.SQLiteMS, $"SQLite {full}");
    }

    public string? SqliteFile => IsSqlite ? new SqliteConnectionStringBuilder(ConnectionString).DataSource : null;
}
