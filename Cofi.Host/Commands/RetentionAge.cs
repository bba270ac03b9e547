using System.Globalization;
using System.Text.RegularExpressions;

namespace Cofi.Host.Commands;

/// <summary>A retention age as an operator types it: a whole number of days, hours or minutes (<c>90d</c>, <c>12h</c>, <c>30m</c>).</summary>
public static partial class RetentionAge
{
    public const string Hint = "a number of days, hours or minutes such as 90d, 12h or 30m";

    public static bool TryParse(string? text, out TimeSpan age)
    {
        age = default;
        var match = AgePattern().Match(text?.Trim() ?? "");
        if (!match.Success || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 100_000) return false;
        age = match.Groups[2].Value switch
        {
            "d" => TimeSpan.FromDays(n),
            "h" => TimeSpan.FromHours(n),
            _ => TimeSpan.FromMinutes(n),
        };
        return true;
    }

    [GeneratedRegex("^([0-9]+)([dhm])$")]
    private static partial Regex AgePattern();
}
