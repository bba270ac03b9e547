using System.Reflection;

namespace Cofi.Lighthouse;

/// <summary>A HOCON file of the repository's hocon/ folder, embedded in this assembly at build time.</summary>
public static class EmbeddedHocon
{
    public static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"hocon.{name}")
                           ?? throw new InvalidOperationException($"hocon/{name} is not embedded in Cofi.Lighthouse");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
