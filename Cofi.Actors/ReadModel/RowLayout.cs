namespace Cofi.Actors.ReadModel;

/// <summary>Takes one row's values in column order: SQLite binds them to a prepared statement, MySQL collects them as parameters.</summary>
public interface IRowValues
{
    void Add(string? value);

    void Add(long value);

    void Add(int value);

    void Add(int? value);

    void Add(DateTime value);
}

/// <summary>
/// One read-model table as the store writes it: the INSERT (an upsert when the table has a key) and how a row of
/// <typeparamref name="T"/> gives its values, in column order. Both databases write from the same layout.
/// </summary>
public sealed class RowLayout<T>
{
    public RowLayout(SqlDialect dialect, string table, IReadOnlyList<string> columns, Action<T, IRowValues> values,
        IReadOnlyList<string>? key = null, IEnumerable<string>? updates = null)
    {
        Table = table;
        Head = $"INSERT INTO {dialect.Quote(table)} ({string.Join(", ", columns.Select(dialect.Quote))}) VALUES ";
        Conflict = key is null ? "" : dialect.OnConflict(key, updates!);
        Columns = columns.Count;
        Values = values;
    }

    public string Table { get; }

    /// <summary><c>INSERT INTO t (a, b) VALUES </c>: the row tuples follow.</summary>
    public string Head { get; }

    /// <summary>The upsert clause after the tuples, or empty.</summary>
    public string Conflict { get; }

    public int Columns { get; }

    public Action<T, IRowValues> Values { get; }
}
