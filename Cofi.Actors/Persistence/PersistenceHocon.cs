using Akka.Configuration;
using Akka.Persistence.Sql;

namespace Cofi.Actors.Persistence;

/// <summary>The Akka.Persistence.Sql journal, snapshot store and read journal, all on one database.</summary>
public static class PersistenceHocon
{
    public static Config For(DatabaseSettings db)
    {
        var cs = Quote(db.ConnectionString);
        var provider = Quote(db.ProviderName);
        var autoInit = db.IsSqlite ? "on" : "off";
        return ConfigurationFactory.ParseString($$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql {
                  connection-string = {{cs}}
                  provider-name = {{provider}}
                  auto-initialize = {{autoInit}}
                }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  connection-string = {{cs}}
                  provider-name = {{provider}}
                  auto-initialize = {{autoInit}}
                }
              }
              query.journal.sql {
                connection-string = {{cs}}
                provider-name = {{provider}}
              }
            }
            """).WithFallback(SqlPersistence.DefaultConfiguration);
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
