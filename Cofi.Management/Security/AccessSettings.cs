using System.Security.Cryptography;

namespace Cofi.Management.Security;

/// <summary>
/// Who may call the API: the tokens of <c>COFI_TOKENS_FILE</c> (<see cref="TokensFile"/>, read again when it changes)
/// and <see cref="Tokens"/> (<c>COFI_API_TOKEN</c>, an operator token named <see cref="ApiTokenName"/>). With neither,
/// every endpoint is open (a trusted network only); with a tokens file, even an empty one, none is.
/// <see cref="MetricsOpen"/> (<c>COFI_METRICS_OPEN=true</c>) leaves /metrics open when tokens are configured.
/// </summary>
public sealed record AccessSettings(IReadOnlyList<TokenEntry> Tokens, bool MetricsOpen = false)
{
    public const string ApiTokenVariable = "COFI_API_TOKEN";
    public const string MetricsOpenVariable = "COFI_METRICS_OPEN";
    public const string ApiTokenName = "api-token";

    public static readonly AccessSettings Open = new([]);

    public bool IsOpen => Tokens.Count == 0 && TokensFile is null;

    /// <summary>The tokens file, when there is one.</summary>
    public TokenFileWatch? TokensFile { get; init; }

    /// <summary>Rate and body size limits (<c>COFI_RATE_LIMIT</c>, <c>COFI_RATE_BURST</c>, <c>COFI_MAX_BODY_BYTES</c>).</summary>
    public ApiLimits Limits { get; init; } = ApiLimits.Default;

    /// <summary>The single operator token of <c>COFI_API_TOKEN</c>, as the settings from before roles had it.</summary>
    public static AccessSettings ApiToken(string? token) => token is null ? Open : new([TokenEntry.For(ApiTokenName, Role.Operator, token)]);

    /// <exception cref="ManagementConfigurationException">naming the variable whose value cannot be used.</exception>
    public static AccessSettings FromEnvironment(Func<string, string?> environment)
    {
        var tokens = new List<TokenEntry>();
        if (environment(ApiTokenVariable) is { Length: > 0 } apiToken) tokens.Add(TokenEntry.For(ApiTokenName, Role.Operator, apiToken.Trim()));
        var file = environment(TokenFile.Variable) is { Length: > 0 } path
            ? new TokenFileWatch(path, tokens.Select(t => t.Name).ToHashSet())
            : null;
        var metricsOpen = environment(MetricsOpenVariable) switch
        {
            null or "" or "false" => false,
            "true" => true,
            var other => throw new ManagementConfigurationException(MetricsOpenVariable, $"'{other}' is neither true nor false"),
        };
        return new AccessSettings(tokens, metricsOpen) { TokensFile = file, Limits = ApiLimits.FromEnvironment(environment) };
    }

    /// <summary>The entry whose hash is the presented token's, comparing every entry in constant time.</summary>
    public TokenEntry? Find(string presented)
    {
        var hash = TokenEntry.HashOf(presented);
        TokenEntry? found = null;
        foreach (var entry in TokensFile is null ? Tokens : [.. Tokens, .. TokensFile.Entries])
            if (CryptographicOperations.FixedTimeEquals(hash, entry.Hash)) found = entry;
        return found;
    }
}
