using System.Security.Cryptography;

namespace Cofi.Management.Security;

/// <summary>
/// Who may call the API: the tokens of <c>COFI_TOKENS_FILE</c> and <c>COFI_API_TOKEN</c> (an operator token named
/// <see cref="ApiTokenName"/>). Without any, every endpoint is open (a trusted network only). <see cref="MetricsOpen"/>
/// (<c>COFI_METRICS_OPEN=true</c>) leaves /metrics open when tokens are configured.
/// </summary>
public sealed record AccessSettings(IReadOnlyList<TokenEntry> Tokens, bool MetricsOpen = false)
{
    public const string ApiTokenVariable = "COFI_API_TOKEN";
    public const string MetricsOpenVariable = "COFI_METRICS_OPEN";
    public const string ApiTokenName = "api-token";

    public static readonly AccessSettings Open = new([]);

    public bool IsOpen => Tokens.Count == 0;

    /// <summary>Rate and body size limits (<c>COFI_RATE_LIMIT</c>, <c>COFI_RATE_BURST</c>, <c>COFI_MAX_BODY_BYTES</c>).</summary>
    public ApiLimits Limits { get; init; } = ApiLimits.Default;

    /// <summary>The single operator token of <c>COFI_API_TOKEN</c>, as the settings from before roles had it.</summary>
    public static AccessSettings ApiToken(string? token) => token is null ? Open : new([TokenEntry.For(ApiTokenName, Role.Operator, token)]);

    /// <exception cref="ManagementConfigurationException">naming the variable whose value cannot be used.</exception>
    public static AccessSettings FromEnvironment(Func<string, string?> environment)
    {
        var tokens = new List<TokenEntry>();
        if (environment(TokenFile.Variable) is { Length: > 0 } path) tokens.AddRange(TokenFile.Read(path));
        if (environment(ApiTokenVariable) is { Length: > 0 } apiToken)
        {
            if (tokens.Any(t => t.Name == ApiTokenName))
                throw new ManagementConfigurationException(TokenFile.Variable, $"'{ApiTokenName}' is the name of the token in {ApiTokenVariable}: name the file's token otherwise");
            tokens.Add(TokenEntry.For(ApiTokenName, Role.Operator, apiToken.Trim()));
        }
        var metricsOpen = environment(MetricsOpenVariable) switch
        {
            null or "" or "false" => false,
            "true" => true,
            var other => throw new ManagementConfigurationException(MetricsOpenVariable, $"'{other}' is neither true nor false"),
        };
        return new AccessSettings(tokens, metricsOpen) { Limits = ApiLimits.FromEnvironment(environment) };
    }

    /// <summary>The entry whose hash is the presented token's, comparing every entry in constant time.</summary>
    public TokenEntry? Find(string presented)
    {
        var hash = TokenEntry.HashOf(presented);
        TokenEntry? found = null;
        foreach (var entry in Tokens)
            if (CryptographicOperations.FixedTimeEquals(hash, entry.Hash)) found = entry;
        return found;
    }
}
