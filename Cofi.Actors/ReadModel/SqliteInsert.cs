using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Cofi.Actors.ReadModel;

/// <summary>
/// One prepared INSERT of a fixed number of rows on SQLite's own interface, its values bound by position, run as
/// often as the caller fills it inside the caller's transaction. Microsoft.Data.Sqlite's <c>SqliteCommand</c> looks
/// every parameter up by name (with thousands of parameters, in time of the square of their number), converts every
/// string into a new array and opens a data reader on each execution: that cost more than SQLite's insert itself.
/// Several rows a statement spare SQLite opening the table and its indexes once a row.
/// Values are stored as that command stores them: text as UTF-8, timestamps as text to the millisecond (the form
/// linq2db's SQLite provider writes and the retention and web queries compare with).
/// </summary>
public sealed class SqliteInsert : IRowValues, IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private byte[] _text = new byte[256];
    private int _next = 1;

    private SqliteInsert(sqlite3 db, string sql, int rows)
    {
        _db = db;
        Rows = rows;
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    /// <summary>The rows one execution inserts.</summary>
    public int Rows { get; }

    /// <summary>
    /// Inserts <paramref name="rows"/> in statements of <paramref name="rowsPerStatement"/> rows (fewer when that
    /// many rows would take more parameters than this SQLite allows in one statement), each prepared once and run for
    /// every group of that many, the rest in one shorter statement. Returns the statements executed.
    /// </summary>
    public static int Insert<T>(SqliteConnection connection, RowLayout<T> layout, IReadOnlyCollection<T> rows, int rowsPerStatement)
    {
        if (rows.Count == 0) return 0;
        var db = connection.Handle ?? throw new InvalidOperationException("the SQLite connection is not open");
        var perStatement = RowsPerStatement(rowsPerStatement, layout.Columns, raw.sqlite3_limit(db, raw.SQLITE_LIMIT_VARIABLE_NUMBER, -1));
        var whole = rows.Count - rows.Count % perStatement;
        using var full = whole > 0 ? new SqliteInsert(db, Sql(layout, perStatement), perStatement) : null;
        using var rest = whole < rows.Count ? new SqliteInsert(db, Sql(layout, rows.Count - whole), rows.Count - whole) : null;
        var statements = 0;
        var index = 0;
        var filled = 0;
        foreach (var row in rows)
        {
            var insert = index++ < whole ? full! : rest!;
            layout.Values(row, insert);
            if (++filled < insert.Rows) continue;
            insert.Run();
            statements++;
            filled = 0;
        }
        return statements;
    }

    /// <summary>
    /// At most <paramref name="wanted"/> rows, and no more than <paramref name="parameterLimit"/> parameters
    /// (<c>SQLITE_LIMIT_VARIABLE_NUMBER</c>) of <paramref name="columns"/> a row: always at least one row.
    /// </summary>
    public static int RowsPerStatement(int wanted, int columns, int parameterLimit) => Math.Max(1, Math.Min(wanted, parameterLimit / columns));

    /// <summary><c>INSERT INTO t (a, b) VALUES (?, ?), (?, ?) …</c> for <paramref name="rows"/> rows, with the layout's upsert clause.</summary>
    public static string Sql<T>(RowLayout<T> layout, int rows)
    {
        var tuple = "(" + string.Join(", ", Enumerable.Repeat("?", layout.Columns)) + ")";
        var sql = new StringBuilder(layout.Head, layout.Head.Length + rows * (tuple.Length + 2) + layout.Conflict.Length);
        for (var r = 0; r < rows; r++) sql.Append(r == 0 ? "" : ", ").Append(tuple);
        return sql.Append(layout.Conflict).ToString();
    }

    public void Add(string? value)
    {
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(_statement, _next++));
            return;
        }
        if (value.Length == 0)
        {
            Check(raw.sqlite3_bind_text(_statement, _next++, ""));
            return;
        }
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (_text.Length < max) _text = new byte[Math.Max(max, _text.Length * 2)];
        var length = Encoding.UTF8.GetBytes(value, _text);
        // SQLite copies the bytes (SQLITE_TRANSIENT), so the buffer serves the next value.
        Check(raw.sqlite3_bind_text(_statement, _next++, _text.AsSpan(0, length)));
    }

    public void Add(long value) => Check(raw.sqlite3_bind_int64(_statement, _next++, value));

    public void Add(int value) => Add((long)value);

    public void Add(int? value)
    {
        if (value is { } n) Add((long)n);
        else Check(raw.sqlite3_bind_null(_statement, _next++));
    }

    public void Add(DateTime value)
    {
        Span<byte> text = stackalloc byte[32];
        value.TryFormat(text, out var length, "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
        Check(raw.sqlite3_bind_text(_statement, _next++, text[..length]));
    }

    /// <summary>Executes the statement with the values added since the last run.</summary>
    public void Run()
    {
        var rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        _next = 1;
        if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }
}
