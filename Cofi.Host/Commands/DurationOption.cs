using System.CommandLine;

namespace Cofi.Host.Commands;

/// <summary>Command-line options that take a <see cref="Duration"/> and hand the command whole milliseconds.</summary>
public static class DurationOption
{
    public static Option<int?> Milliseconds(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (Duration.TryParse(text, out var duration)) return (int)duration.TotalMilliseconds;
            result.AddError($"{name}: '{text}' is not {Duration.Hint}");
            return null;
        },
    };
}
