using Cofi.Actors.Inputs;

namespace Cofi.Host.Web;

/// <summary>Decides whether a path submitted over the API lies under one of the configured input roots.</summary>
public static class InputRoots
{
    public static string Normalize(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    /// <summary>The full path to submit, or why the path is refused.</summary>
    public static (string? Path, string? Problem) Check(string? input, IReadOnlyList<string> roots)
    {
        if (string.IsNullOrWhiteSpace(input)) return (null, "input is required: a folder or manifest under an input root");
        if (!Path.IsPathFullyQualified(input)) return (null, "input must be an absolute path");
        // Refused outright rather than resolved: a submitted path names its folder directly.
        if (input.Split('/', '\\').Any(segment => segment == ".."))
            return (null, "input must not contain '..' segments");
        var full = Normalize(input);
        if (!InputConfinement.Under(full, roots))
            return (null, roots.Count == 0 ? "no input roots are configured (cofi.web.input-roots): the API accepts no input" : "input is not under any configured input root");
        if (!Directory.Exists(full) && !File.Exists(full)) return (null, $"input not found: {full}");
        // Its real path, every symbolic link on the way followed, must stay under a root too.
        if (InputConfinement.For(full, roots) is null) return (null, "input is a link that leads outside the input roots");
        return (full, null);
    }
}
