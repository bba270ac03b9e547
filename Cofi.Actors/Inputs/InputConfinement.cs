namespace Cofi.Actors.Inputs;

/// <summary>
/// Keeps a batch's entries under its input roots: an entry counts by its real path (every symbolic link on the way
/// resolved, as the kernel would follow them), so a link inside a root that leads elsewhere, a link to such a link,
/// a manifest line with <c>..</c> or an absolute path outside the roots is refused before anything is opened.
/// </summary>
public sealed class InputConfinement
{
    private const int MaxLinks = 40;

    private readonly IReadOnlyList<string> _roots;

    private InputConfinement(IReadOnlyList<string> roots) => _roots = roots;

    /// <summary>
    /// The confinement for a batch over <paramref name="input"/>: its real path lies under one of
    /// <paramref name="roots"/> (a batch the API accepted), so every entry must too; null (no confinement) otherwise.
    /// </summary>
    public static InputConfinement? For(string input, IReadOnlyList<string> roots)
    {
        if (roots.Count == 0) return null;
        var confinement = new InputConfinement(roots.Select(r => RealPath(r) ?? r).Distinct(StringComparer.Ordinal).ToList());
        return confinement.Holds(input) ? confinement : null;
    }

    /// <summary>Whether the real path of <paramref name="path"/> lies under a root (a path whose links loop does not).</summary>
    public bool Holds(string path) => RealPath(path) is { } real && Under(real, _roots);

    /// <summary>Why an entry may not be read, or null when it may.</summary>
    public string? Refusal(string path, string name)
    {
        if (name.Any(char.IsControl)) return "refused: the file name holds control characters";
        return Holds(path) ? null : "refused: the file's real path (symbolic links followed) is outside the input roots; it was not opened";
    }

    public static bool Under(string path, IEnumerable<string> roots) =>
        roots.Any(r => path == r || path.StartsWith(r.EndsWith(Path.DirectorySeparatorChar) ? r : r + Path.DirectorySeparatorChar, StringComparison.Ordinal));

    /// <summary>
    /// <paramref name="path"/> with every symbolic link in it resolved, component by component; the part that does not
    /// exist is kept as written. Null when the links loop or chain more than 40 deep.
    /// </summary>
    public static string? RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var pending = new LinkedList<string>(Components(full[root.Length..]));
        var current = root;
        var links = 0;
        while (pending.First is { } first)
        {
            pending.RemoveFirst();
            var component = first.Value;
            if (component is "" or ".") continue;
            if (component == "..")
            {
                current = Path.GetDirectoryName(current) ?? root;
                continue;
            }
            var next = Path.Join(current, component);
            string? target;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                target = null;
            }
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks) return null;
            if (Path.IsPathRooted(target)) current = Path.GetPathRoot(target)!;
            var rest = Components(Path.IsPathRooted(target) ? target[Path.GetPathRoot(target)!.Length..] : target);
            for (var i = rest.Length - 1; i >= 0; i--) pending.AddFirst(rest[i]);
        }
        return Path.TrimEndingDirectorySeparator(current);
    }

    private static string[] Components(string path) => path.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
}
