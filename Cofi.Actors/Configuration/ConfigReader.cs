using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Cofi.Actors.Configuration;

/// <summary>Typed reads of a HOCON section that name the full key when a value is missing or wrong.</summary>
internal sealed class ConfigReader(Config config, string path)
{
    public string Path { get; } = path;

    public string Key(string name) => $"{Path}.{name}";

    public bool Has(string name) => config.HasPath(name);

    public ConfigReader Section(string name)
    {
        if (!config.HasPath(name)) throw new InvalidConfigurationException(Key(name), "missing section");
        return new ConfigReader(config.GetConfig(name), Key(name));
    }

    public IReadOnlyList<string> ObjectKeys(string name)
    {
        if (!config.HasPath(name)) return [];
        var value = config.GetValue(name);
        if (!value.IsObject()) throw new InvalidConfigurationException(Key(name), "must be an object");
        return value.GetObject().Items.Keys.ToList();
    }

    public string String(string name)
    {
        var value = Try(name, () => config.GetString(name, null));
        if (string.IsNullOrWhiteSpace(value)) throw new InvalidConfigurationException(Key(name), "missing value");
        return value;
    }

    public string? OptionalString(string name)
    {
        var value = Try(name, () => config.GetString(name, null));
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    public int Int(string name, int min, int max = int.MaxValue)
    {
        var value = Try(name, () => config.GetInt(name));
        if (value < min) throw new InvalidConfigurationException(Key(name), $"must be at least {min} (got {value})");
        if (value > max) throw new InvalidConfigurationException(Key(name), $"must be at most {max} (got {value})");
        return value;
    }

    public double Number(string name, double min, double max)
    {
        var value = Try(name, () => config.GetDouble(name));
        if (value < min || value > max || double.IsNaN(value))
            throw new InvalidConfigurationException(Key(name), $"must be between {min} and {max} (got {value})");
        return value;
    }

    public double Fraction(string name)
    {
        var value = Try(name, () => config.GetDouble(name));
        if (value is < 0 or > 1 || double.IsNaN(value))
            throw new InvalidConfigurationException(Key(name), $"must be between 0 and 1 (got {value})");
        return value;
    }

    public TimeSpan Duration(string name, TimeSpan min)
    {
        var value = Try(name, () => config.GetTimeSpan(name, null, allowInfinite: false));
        if (value < min) throw new InvalidConfigurationException(Key(name), $"must be at least {min.TotalMilliseconds} ms (got {value.TotalMilliseconds} ms)");
        return value;
    }

    public IReadOnlyList<string> StringList(string name) =>
        config.HasPath(name) ? Try(name, () => config.GetStringList(name)).ToList() : [];

    public TEnum Enum<TEnum>(string name) where TEnum : struct, System.Enum
    {
        var raw = String(name);
        if (System.Enum.TryParse<TEnum>(raw, ignoreCase: true, out var value) && System.Enum.IsDefined(value)) return value;
        var expected = string.Join(", ", System.Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()));
        throw new InvalidConfigurationException(Key(name), $"unknown value '{raw}'; expected one of {expected}");
    }

    private T Try<T>(string name, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not InvalidConfigurationException)
        {
            throw new InvalidConfigurationException(Key(name), e.Message);
        }
    }
}

internal static class HoconValueExtensions
{
    public static bool IsObject(this HoconValue value) => value.Values.Count > 0 && value.Values.All(v => v is HoconObject);
}
