namespace Cofi.Management;

/// <summary>A management variable that cannot be used, named with what is wrong with its value.</summary>
public sealed class ManagementConfigurationException(string key, string problem) : Exception($"invalid configuration at '{key}': {problem}")
{
    public string Key { get; } = key;
}
