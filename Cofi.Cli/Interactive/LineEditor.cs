using System.Text;

namespace Cofi.Cli.Interactive;

/// <summary>
/// Reads one line at a terminal: editing (←, →, Home/End, Ctrl+A/E, Backspace, Delete, Ctrl+U), history (↑, ↓),
/// Tab completion (the common prefix; a second Tab lists the candidates), Ctrl+C to drop the line, Ctrl+D to leave.
/// </summary>
public sealed class LineEditor(History history, Func<string, Task<IReadOnlyList<string>>> complete)
{
    /// <summary>The line, or null when the operator leaves (Ctrl+D on an empty line).</summary>
    public async Task<string?> ReadLineAsync(string prompt)
    {
        var line = new StringBuilder();
        var cursor = 0;
        var recall = history.Lines.Count;
        var lastWasTab = false;
        Console.TreatControlCAsInput = true;
        try
        {
            Console.Write(prompt);
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                var tab = key.Key == ConsoleKey.Tab;
                switch (key.Key)
                {
                    case ConsoleKey.Enter:
                        Console.Write("\n");
                        return line.ToString();
                    case ConsoleKey.Tab:
                        var (completed, listed) = await CompleteAsync(line.ToString(0, cursor), lastWasTab);
                        if (listed is not null)
                        {
                            Console.Write("\n" + listed + "\n" + prompt);
                            Redraw(prompt, line, cursor);
                        }
                        if (completed.Length > 0)
                        {
                            line.Insert(cursor, completed);
                            cursor += completed.Length;
                        }
                        break;
                    case ConsoleKey.Backspace when cursor > 0:
                        line.Remove(--cursor, 1);
                        break;
                    case ConsoleKey.Delete when cursor < line.Length:
                        line.Remove(cursor, 1);
                        break;
                    case ConsoleKey.LeftArrow when cursor > 0:
                        cursor--;
                        break;
                    case ConsoleKey.RightArrow when cursor < line.Length:
                        cursor++;
                        break;
                    case ConsoleKey.Home:
                        cursor = 0;
                        break;
                    case ConsoleKey.End:
                        cursor = line.Length;
                        break;
                    case ConsoleKey.UpArrow when recall > 0:
                        Replace(line, history.Lines[--recall], ref cursor);
                        break;
                    case ConsoleKey.DownArrow when recall < history.Lines.Count:
                        Replace(line, ++recall < history.Lines.Count ? history.Lines[recall] : "", ref cursor);
                        break;
                    default:
                        if ((key.Modifiers & ConsoleModifiers.Control) != 0)
                        {
                            switch (key.Key)
                            {
                                case ConsoleKey.C:
                                    Console.Write("^C\n");
                                    line.Clear();
                                    cursor = 0;
                                    Console.Write(prompt);
                                    break;
                                case ConsoleKey.D when line.Length == 0:
                                    Console.Write("\n");
                                    return null;
                                case ConsoleKey.A:
                                    cursor = 0;
                                    break;
                                case ConsoleKey.E:
                                    cursor = line.Length;
                                    break;
                                case ConsoleKey.U:
                                    line.Remove(0, cursor);
                                    cursor = 0;
                                    break;
                            }
                        }
                        else if (!char.IsControl(key.KeyChar))
                        {
                            line.Insert(cursor++, key.KeyChar);
                        }
                        break;
                }
                lastWasTab = tab;
                Redraw(prompt, line, cursor);
            }
        }
        finally
        {
            Console.TreatControlCAsInput = false;
        }
    }

    private async Task<(string Completed, string? Listed)> CompleteAsync(string beforeCursor, bool secondTab)
    {
        var candidates = await complete(beforeCursor);
        var current = beforeCursor.Length == 0 || char.IsWhiteSpace(beforeCursor[^1]) ? "" : Words.Split(beforeCursor).LastOrDefault() ?? "";
        if (candidates.Count == 0) return ("", null);
        if (candidates.Count == 1) return (candidates[0][current.Length..] + " ", null);
        var common = candidates.Aggregate((a, b) => new string(a.Zip(b).TakeWhile(p => p.First == p.Second).Select(p => p.First).ToArray()));
        if (common.Length > current.Length) return (common[current.Length..], null);
        return ("", secondTab || candidates.Count <= 20 ? string.Join("  ", candidates) : null);
    }

    private static void Replace(StringBuilder line, string text, ref int cursor)
    {
        line.Clear().Append(text);
        cursor = line.Length;
    }

    private static void Redraw(string prompt, StringBuilder line, int cursor)
    {
        var back = line.Length - cursor;
        Console.Write("\r" + prompt + line + "\x1b[K" + (back > 0 ? $"\x1b[{back}D" : ""));
    }
}
