using System.Reflection;
using Akka.Configuration;

namespace Cofi.Actors.Configuration;

/// <summary>Loads Cofi's HOCON: overrides first, then an operator's file, then the defaults shipped in hocon/.</summary>
public static class CofiConfig
{
    public static Config Defaults { get; } = Embedded("cofi.conf").WithFallback(Embedded("akka.conf"));

    /// <summary>hocon/cluster.conf: failure detection and the split-brain resolver, the same on every member (Lighthouse too).</summary>
    public static Config Cluster { get; } = Embedded("cluster.conf");

    public static Config Load(string? file = null, params string[] overrides)
    {
        var config = Defaults;
        if (file is not null)
        {
            if (!File.Exists(file)) throw new InvalidConfigurationException("--config", $"file not found: {file}");
            config = ConfigurationFactory.ParseString(File.ReadAllText(file)).WithFallback(config);
        }
        foreach (var hocon in overrides.Where(o => !string.IsNullOrWhiteSpace(o)))
            config = ConfigurationFactory.ParseString(hocon).WithFallback(config);
        return config;
    }

    private static Config Embedded(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"hocon.{name}")
                           ?? throw new InvalidOperationException($"hocon/{name} is not embedded in Cofi.Actors");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
