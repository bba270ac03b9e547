namespace Cofi.Web.Tests.Support;

/// <summary>Where tests leave files for people to look at: .artifacts/ at the repository's root (scripts/test writes its results there too).</summary>
public static class Artifacts
{
    public static string Folder(string name)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Cofi.Actors.sln"))) root = root.Parent;
        if (root is null) throw new InvalidOperationException($"no Cofi.Actors.sln above {AppContext.BaseDirectory}");
        return Directory.CreateDirectory(Path.Combine(root.FullName, ".artifacts", name)).FullName;
    }
}
