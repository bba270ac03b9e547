namespace Cofi.Cli.Interactive;

/// <summary>The prompt's earlier lines, kept across sessions in <c>$COFI_HISTORY</c> (default <c>~/.cofi_history</c>), the newest 500.</summary>
public sealed class History
{
    public const string Variable = "COFI_HISTORY";
    private const int Keep = 500;

    private readonly List<string> _lines;
    private readonly string? _file;

    public History(string? file)
    {
        _file = file;
        try
        {
            _lines = file is not null && File.Exists(file) ? File.ReadAllLines(file).Where(l => l.Length > 0).TakeLast(Keep).ToList() : new List<string>();
        }
        catch (IOException)
        {
            _lines = new List<string>();
        }
    }

    public static string? DefaultFile(Func<string, string?> environment) =>
        environment(Variable) is { Length: > 0 } file ? file
        : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home ? Path.Combine(home, ".cofi_history")
        : null;

    public IReadOnlyList<string> Lines => _lines;

    public void Add(string line)
    {
        if (line.Length == 0 || (_lines.Count > 0 && _lines[^1] == line)) return;
        _lines.Add(line);
        if (_lines.Count > Keep) _lines.RemoveAt(0);
        if (_file is null) return;
        try
        {
            File.AppendAllLines(_file, [line]);
        }
        catch (IOException)
        {
            // History is a convenience: a read-only home does not stop the prompt.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
