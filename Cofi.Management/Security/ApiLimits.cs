using System.Globalization;

namespace Cofi.Management.Security;

/// <summary>
/// How much one caller may ask: <see cref="RequestsPerSecond"/> requests a second on average with bursts of up to
/// <see cref="Burst"/>, per token (per client address for requests without one, and when no tokens are configured);
/// 0 turns the limit off. <see cref="MaxBodyBytes"/> caps every request body (JSON bodies also at 64 KiB).
/// </summary>
public sealed record ApiLimits(int RequestsPerSecond, int Burst, long MaxBodyBytes)
{
    public const string RateVariable = "COFI_RATE_LIMIT";
    public const string BurstVariable = "COFI_RATE_BURST";
    public const string BodyVariable = "COFI_MAX_BODY_BYTES";

    public static readonly ApiLimits Default = new(100, 200, 1024 * 1024);

    public bool RateLimited => RequestsPerSecond > 0;

    /// <exception cref="ManagementConfigurationException">naming the variable whose value cannot be used.</exception>
    public static ApiLimits FromEnvironment(Func<string, string?> environment)
    {
        long Read(string variable, long fallback, long min)
        {
            if (environment(variable) is not { } raw || raw.Trim().Length == 0) return fallback;
            return long.TryParse(raw.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= int.MaxValue
                ? value
                : throw new ManagementConfigurationException(variable, $"'{raw}' is not a whole number from {min} to {int.MaxValue}");
        }

        var rate = (int)Read(RateVariable, Default.RequestsPerSecond, 0);
        var burst = (int)Read(BurstVariable, Math.Max(rate * 2, 1), 1);
        return new ApiLimits(rate, burst, Read(BodyVariable, Default.MaxBodyBytes, 1024));
    }
}
