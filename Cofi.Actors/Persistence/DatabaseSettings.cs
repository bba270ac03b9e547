using System.Data.Common;
using Cofi.Actors.Configuration;
using LinqToDB;
using LinqToDB.Data;
using Microsoft.Data.Sqlite;
using MySqlConnector;

namespace Cofi.Actors.Persistence;

/// <summary>Where the journal, snapshots and read model live: an SQLite file (the default) or a MySQL / MariaDB server.</summary>
public sealed record DatabaseSettings(string ConnectionString, string ProviderName, string Description)
{
    public bool IsSqlite => ProviderName == LinqToDB.ProviderName.SQLiteMS;

    public bool IsMySql => !IsSqlite;

    public static DatabaseSettings Sqlite(string path)
    {
        var full = Path.GetFullPath(path);
        var builder = new SqliteConnectionStringBuilder { DataSource = full, Pooling = true, DefaultTimeout = 30 };
        return new DatabaseSettings(builder.ToString(), LinqToDB.ProviderName.SQLiteMS, $"SQLite {full}");
    }

    /// <summary>
    /// A MySQL 8 or MariaDB 10.11 server. The linq2db provider differs between the two, so the server is asked
    /// which it is; <paramref name="option"/> names the setting in the message when it cannot be reached.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">the connection string is malformed or the server does not answer.</exception>
    public static DatabaseSettings MySql(string connectionString, string option = "--db")
    {
        MySqlConnectionStringBuilder builder;
        try
        {
            builder = new MySqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new InvalidConfigurationException(option, $"not a valid MySQL connection string: {e.Message}");
        }
        if (string.IsNullOrEmpty(builder.Database)) throw new InvalidConfigurationException(option, "the MySQL connection string names no Database");
        string version;
        try
        {
            using var connection = new MySqlConnection(builder.ConnectionString);
            connection.Open();
            version = connection.ServerVersion;
        }
        catch (MySqlException e)
        {
            throw new InvalidConfigurationException(option, $"cannot connect to MySQL server {builder.Server}:{builder.Port}: {e.Message}");
        }
        var mariaDb = version.Contains("MariaDB", StringComparison.OrdinalIgnoreCase);
        var provider = mariaDb ? LinqToDB.ProviderName.MariaDB10MySqlConnector : LinqToDB.ProviderName.MySql80MySqlConnector;
        return new DatabaseSettings(builder.ConnectionString, provider,
            $"{(mariaDb ? "MariaDB" : "MySQL")} {version} {builder.Server}:{builder.Port}/{builder.Database}");
    }

    /// <summary>
    /// <c>--db</c> and <c>COFI_DB</c> take either an SQLite file path or a MySQL connection string
    /// (recognised by its <c>key=value;</c> form, e.g. <c>Server=127.0.0.1;User ID=cofi;Password=…;Database=cofi</c>).
    /// </summary>
    public static DatabaseSettings Parse(string pathOrConnectionString, string option = "--db") =>
        LooksLikeConnectionString(pathOrConnectionString) ? MySql(pathOrConnectionString, option) : Sqlite(pathOrConnectionString);

    public static bool LooksLikeConnectionString(string value) =>
        value.Contains('=') && (value.Contains(';') || value.StartsWith("Server=", StringComparison.OrdinalIgnoreCase));

    public string? SqliteFile => IsSqlite ? new SqliteConnectionStringBuilder(ConnectionString).DataSource : null;

    /// <summary>
    /// Where the read-model tables live: the same MySQL / MariaDB database, or for SQLite a file beside the journal's
    /// (<c>cofi.db</c> → <c>cofi.readmodel.db</c>). SQLite lets one writer at a time into a file, and sharing it made
    /// the journal wait on the execution log's writes.
    /// </summary>
    public DatabaseSettings ReadModel => IsSqlite ? Sqlite(ReadModelFile(SqliteFile!)) : this;

    public static string ReadModelFile(string journalFile) =>
        Path.Combine(Path.GetDirectoryName(journalFile) ?? "", Path.GetFileNameWithoutExtension(journalFile) + ".readmodel" + Path.GetExtension(journalFile));

    /// <summary>The database name of a MySQL connection string.</summary>
    public string? MySqlDatabase => IsMySql ? new MySqlConnectionStringBuilder(ConnectionString).Database : null;

    /// <summary>linq2db options for this database; SQLite connections get Cofi's pragmas as they open.</summary>
    public DataOptions DataOptions()
    {
        var options = new DataOptions().UseConnectionString(ProviderName, ConnectionString);
        return IsSqlite ? options.UseInterceptor(new SqlitePragmas()) : options;
    }

    public DataConnection Connect() => new(DataOptions());

    public DbConnection OpenRawConnection()
    {
        DbConnection connection = IsSqlite ? new SqliteConnection(ConnectionString) : new MySqlConnection(ConnectionString);
        connection.Open();
        return connection;
    }
}
