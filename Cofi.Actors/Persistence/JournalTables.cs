namespace Cofi.Actors.Persistence;

/// <summary>The Akka.Persistence.Sql tables, by the plugin's default table mapping (<see cref="MySqlJournalSchema"/> creates them on MySQL).</summary>
public static class JournalTables
{
    public const string Journal = "journal";
    public const string Tags = "tags";
    public const string Snapshot = "snapshot";
}
