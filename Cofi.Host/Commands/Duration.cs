using System.Globalization;

namespace Cofi.Host.Commands;

/// <summary>
/// A duration as an operator types it: a whole number with a unit, <c>ms</c>, <c>s</c>, <c>m</c> or <c>h</c>
/// (<c>20ms</c>, <c>1.5s</c>, <c>10m</c>); a bare whole number is milliseconds, as the options took before they had units.
/// Shared by <c>Cofi.Host</c> and <c>cofi</c>.
/// </summary>
public static class Duration
{
    public const string Hint = "a duration such as 20ms, 2s, 5m or 1h (a bare number is milliseconds)";

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        var raw = text?.Trim() ?? "";
        var digits = raw.Length;
        while (digits > 0 && char.IsAsciiLetter(raw[digits - 1])) digits--;
        var unit = raw[digits..].ToLowerInvariant();
        if (!double.TryParse(raw[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)) return false;
        if (unit.Length == 0 && raw.Contains('.')) return false;
        double? ms = unit switch
        {
            "" or "ms" => value,
            "s" => value * 1_000,
            "m" => value * 60_000,
            "h" => value * 3_600_000,
            _ => null,
        };
        if (ms is not { } milliseconds || milliseconds > int.MaxValue) return false;
        duration = TimeSpan.FromMilliseconds(Math.Round(milliseconds));
        return true;
    }
}
