namespace Cofi.Management;

/// <summary>
/// The commands a node offers its operators' client (<c>cofi</c>), served at <c>GET /api/commands</c>: palettes of
/// verbs, each saying how it is carried out over this API, so a client runs verbs it was not built with.
/// </summary>
/// <param name="Role">the cluster role a node needs to offer the palette (null: every node).</param>
public sealed record CommandPalette(string Name, string Description, string? Role, IReadOnlyList<CommandVerb> Verbs);

/// <summary>One verb: the request that carries it out and how its answer reads.</summary>
/// <param name="Path">the request path; <c>{name}</c> stands for an argument or switch sent <c>in</c> the path.</param>
/// <param name="Output">
/// <c>document</c>: one JSON answer; <c>pages</c>: <c>{ items, next, done }</c> pages, asked again with
/// <c>after=next</c> until done; <c>tail</c>: the same, waiting for more while not done; <c>events</c>: Server-Sent
/// Events, until the stream ends or the operator stops it; <c>download</c>: the body as it comes.
/// </param>
/// <param name="View">how a terminal shows the answer: <c>table</c> (with <paramref name="Columns"/>), <c>fields</c>, or a view the client knows by name.</param>
/// <param name="Mutation">changes state: needs the token, takes <c>--reason</c>, sent as <c>reason</c> in the JSON body.</param>
/// <param name="Confirm">asks before it acts: the client first sends <c>dryRun: true</c> and gets a <see cref="DryRunAnswer"/>.</param>
public sealed record CommandVerb(string Name, string Description, string Method, string Path,
    IReadOnlyList<CommandParameter> Arguments, IReadOnlyList<CommandParameter> Switches,
    string Output = "document", string View = "fields", IReadOnlyList<string>? Columns = null, bool Mutation = false, bool Confirm = false);

/// <summary>An argument (by position) or a switch (<c>--name</c>, or <c>-short</c>).</summary>
/// <param name="Type"><c>string</c>, <c>int</c>, <c>duration</c> (sent as milliseconds), <c>flag</c>, <c>map</c> (<c>k=v</c>, repeatable, sent as an object) or <c>choice</c>.</param>
/// <param name="In"><c>path</c>, <c>query</c>, <c>body</c>, or <c>client</c> (the client's own, e.g. an output file).</param>
/// <param name="Field">the name it is sent under, when not <paramref name="Name"/>.</param>
/// <param name="Completion">the kind of value the node can list for completion (<c>GET /api/completions/{kind}</c>).</param>
public sealed record CommandParameter(string Name, string Description, string Type = "string", string In = "query", bool Required = false,
    string? Completion = null, string? Short = null, IReadOnlyList<string>? Choices = null, string? Default = null, string? Field = null);

public sealed record CommandCatalog(string Node, IReadOnlyList<string> Roles, IReadOnlyList<CommandPalette> Palettes);

/// <summary>Values of one kind a node can list for a client's completion (batch ids, member addresses, …).</summary>
public interface ICompletionSource
{
    string Kind { get; }

    Task<IReadOnlyList<string>> ValuesAsync(CancellationToken cancel);
}

/// <summary>Short ways to write a catalog.</summary>
public static class Verbs
{
    public static CommandParameter Arg(string name, string description, string type = "string", string @in = "path", string? completion = null, bool required = true) =>
        new(name, description, type, @in, required, completion);

    public static CommandParameter Switch(string name, string description, string type = "string", string @in = "query", string? completion = null,
        string? @short = null, IReadOnlyList<string>? choices = null, string? @default = null, string? field = null) =>
        new(name, description, type, @in, false, completion, @short, choices, @default, field);

    public static CommandVerb Get(string name, string description, string path, IReadOnlyList<CommandParameter>? arguments = null,
        IReadOnlyList<CommandParameter>? switches = null, string output = "document", string view = "fields", IReadOnlyList<string>? columns = null) =>
        new(name, description, "GET", path, arguments ?? [], switches ?? [], output, view, columns);

    public static CommandVerb Post(string name, string description, string path, IReadOnlyList<CommandParameter>? arguments = null,
        IReadOnlyList<CommandParameter>? switches = null, bool confirm = false, string view = "fields") =>
        new(name, description, "POST", path, arguments ?? [], switches ?? [], "document", view, null, Mutation: true, Confirm: confirm);

    public static CommandVerb Delete(string name, string description, string path, IReadOnlyList<CommandParameter>? arguments = null,
        bool confirm = false, string view = "fields") =>
        new(name, description, "DELETE", path, arguments ?? [], [], "document", view, null, Mutation: true, Confirm: confirm);
}
