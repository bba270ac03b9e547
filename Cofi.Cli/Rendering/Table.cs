using System.Text;

namespace Cofi.Cli.Rendering;

/// <summary>Rows in aligned columns, numbers to the right.</summary>
public static class Table
{
    public static string Format(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Select(r => i < r.Count ? r[i].Length : 0).DefaultIfEmpty(0).Max())).ToArray();
        var numeric = headers.Select((_, i) => rows.Count > 0 && rows.All(r => i < r.Count && IsNumber(r[i]))).ToArray();
        var text = new StringBuilder();
        void Line(IReadOnlyList<string> cells, bool header)
        {
            var parts = cells.Select((c, i) => !header && numeric[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]));
            text.Append(string.Join("  ", parts).TrimEnd()).Append('\n');
        }
        Line(headers, true);
        foreach (var row in rows) Line(row, false);
        return text.ToString();
    }

    private static bool IsNumber(string cell) => cell.Length > 0 && cell.All(c => char.IsAsciiDigit(c) || c is ',' or '.' or '-' or '/');
}
