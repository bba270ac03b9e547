namespace Cofi.Cli.Commands;

/// <summary>The switches every verb takes, wherever they stand on the line: <c>--json</c>, <c>--yes</c>, <c>--reason</c>, <c>--token-file</c>, <c>--help</c>.</summary>
public sealed record GlobalOptions(bool Json, bool Yes, string? Reason, string? TokenFile, bool Help, bool Version)
{
    public static readonly IReadOnlyList<(string Name, string Description)> Described =
    [
        ("--json", "print the answer as one JSON document (streams as JSON lines)"),
        ("--reason TEXT", "why: recorded with every mutation"),
        ("--yes", "do not ask before a destructive verb"),
        ("--token-file PATH", $"the API token (default: ${Connection.Target.TokenVariable})"),
        ("--help", "what a palette or verb takes"),
    ];

    /// <summary>Takes the global switches out of <paramref name="words"/> and returns the rest in order.</summary>
    public static (GlobalOptions Options, List<string> Words) Extract(IReadOnlyList<string> words)
    {
        bool json = false, yes = false, help = false, version = false;
        string? reason = null, tokenFile = null;
        var rest = new List<string>();
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            string Value(string name) => i + 1 < words.Count ? words[++i] : throw CliException.Usage($"{name} needs a value");
            switch (word)
            {
                case "--json": json = true; break;
                case "--yes" or "-y": yes = true; break;
                case "--help" or "-h": help = true; break;
                case "--version": version = true; break;
                case "--reason": reason = Value(word); break;
                case "--token-file": tokenFile = Value(word); break;
                default:
                    if (word.StartsWith("--reason=", StringComparison.Ordinal)) reason = word["--reason=".Length..];
                    else if (word.StartsWith("--token-file=", StringComparison.Ordinal)) tokenFile = word["--token-file=".Length..];
                    else rest.Add(word);
                    break;
            }
        }
        return (new GlobalOptions(json, yes, reason, tokenFile, help, version), rest);
    }
}
