namespace Cofi.Actors.Configuration;

/// <summary>A configuration value that Cofi cannot run with; <see cref="Key"/> names the full HOCON path.</summary>
public sealed class InvalidConfigurationException(string key, string problem)
    : Exception($"invalid configuration at '{key}': {problem}")
{
    public string Key { get; } = key;
}
