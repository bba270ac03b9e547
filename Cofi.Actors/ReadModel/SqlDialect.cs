namespace Cofi.Actors.ReadModel;

/// <summary>The few places where MySQL / MariaDB and SQLite SQL differ for the read model.</summary>
public sealed class SqlDialect
{
    public static readonly SqlDialect MySql = new(true);
    public static readonly SqlDialect Sqlite = new(false);

    private SqlDialect(bool mySql) => IsMySql = mySql;

    public bool IsMySql { get; }

    public string Quote(string identifier) => IsMySql ? $"`{identifier}`" : $"\"{identifier}\"";

    /// <summary>The value the conflicting INSERT row carried for <paramref name="column"/>.</summary>
    public string Incoming(string column) => IsMySql ? $"VALUES({Quote(column)})" : $"excluded.{Quote(column)}";

    public string Greatest(string a, string b) => IsMySql ? $"GREATEST({a}, {b})" : $"MAX({a}, {b})";

    /// <summary>The clause that turns an INSERT into an upsert on <paramref name="key"/>.</summary>
    public string OnConflict(IEnumerable<string> key, IEnumerable<string> assignments) => IsMySql
        ? " ON DUPLICATE KEY UPDATE " + string.Join(", ", assignments)
        : $" ON CONFLICT ({string.Join(", ", key.Select(Quote))}) DO UPDATE SET " + string.Join(", ", assignments);

    /// <summary>
    /// The operator that matches a text against a <see cref="Prefix"/> pattern; case-sensitive on SQLite (GLOB), so
    /// that it can use an index there.
    /// </summary>
    public string PrefixMatch => IsMySql ? "LIKE" : "GLOB";

    /// <summary>The <see cref="PrefixMatch"/> pattern of every text that starts with <paramref name="text"/> (which holds no wildcard).</summary>
    public string Prefix(string text) => text + (IsMySql ? "%" : "*");

    public string AutoIncrementKey => IsMySql ? "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";

    public string Text => IsMySql ? "LONGTEXT" : "TEXT";

    public string Timestamp => IsMySql ? "DATETIME(6)" : "TEXT";

    public string TableOptions => IsMySql ? " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci" : "";
}
