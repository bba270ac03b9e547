using System.Text;
using LinqToDB.Data;

namespace Cofi.Actors.ReadModel;

/// <summary>
/// MySQL / MariaDB: every statement is a round trip, so rows go in multi-row INSERTs (upserts for the keyed tables)
/// of at most a given number of rows, their values as parameters. linq2db's BulkCopy is not used: its multi-row mode
/// truncates DATETIME(6) to milliseconds, and it cannot express the upserts.
/// </summary>
public sealed class MultiRowInsert : IRowValues
{
    private readonly List<DataParameter> _parameters = new();

    /// <summary>Inserts <paramref name="rows"/>; returns the statements executed.</summary>
    public static int Insert<T>(DataConnection connection, RowLayout<T> layout, IReadOnlyCollection<T> rows, int rowsPerStatement)
    {
        var statements = 0;
        foreach (var chunk in rows.Chunk(rowsPerStatement))
        {
            var values = new MultiRowInsert();
            var sql = new StringBuilder(layout.Head, layout.Head.Length + chunk.Length * layout.Columns * 8);
            for (var r = 0; r < chunk.Length; r++)
            {
                sql.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < layout.Columns; c++)
                {
                    if (c > 0) sql.Append(", ");
                    sql.Append("@p").Append(r * layout.Columns + c);
                }
                sql.Append(')');
                layout.Values(chunk[r], values);
            }
            sql.Append(layout.Conflict);
            connection.Execute(sql.ToString(), values._parameters.ToArray());
            statements++;
        }
        return statements;
    }

    public void Add(string? value) => Add((object?)value);

    public void Add(long value) => Add((object?)value);

    public void Add(int value) => Add((object?)value);

    public void Add(int? value) => Add((object?)value);

    public void Add(DateTime value) => Add((object?)value);

    private void Add(object? value) => _parameters.Add(new DataParameter("p" + _parameters.Count, value));
}
