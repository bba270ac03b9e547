using System.Text.Json;

namespace Cofi.Host.Tests.Compose;

/// <summary>The named stages of a multi-stage Dockerfile: base image and ENTRYPOINT (exec form) of each.</summary>
public sealed record DockerfileStage(string Name, string BaseImage, IReadOnlyList<string>? Entrypoint, IReadOnlyList<string> Lines);

public static class DockerfileStages
{
    public static IReadOnlyDictionary<string, DockerfileStage> Read(string path)
    {
        var stages = new Dictionary<string, DockerfileStage>();
        DockerfileStage? current = null;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words[0].Equals("FROM", StringComparison.OrdinalIgnoreCase))
            {
                if (words.Length != 4 || !words[2].Equals("AS", StringComparison.OrdinalIgnoreCase))
                    throw new InvalidOperationException($"{path}: every stage is named (FROM image AS name): '{line}'");
                current = new DockerfileStage(words[3], words[1], null, []);
                stages.Add(current.Name, current);
                continue;
            }
            if (current is null) throw new InvalidOperationException($"{path}: '{line}' before the first FROM");
            current = current with { Lines = [.. current.Lines, line] };
            if (words[0].Equals("ENTRYPOINT", StringComparison.OrdinalIgnoreCase))
                current = current with { Entrypoint = JsonSerializer.Deserialize<string[]>(line["ENTRYPOINT".Length..]) };
            stages[current.Name] = current;
        }
        return stages;
    }
}
