using Akka.Configuration;

namespace ActorHttp.Persistence;

/// <summary>The journal's database (<c>actorhttp.persistence.provider</c>).</summary>
public enum PersistenceProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// <c>actorhttp.persistence</c>: where event-sourced handlers keep their events, turned into the
/// HOCON of Akka.Persistence.Sql (its hosting package is not on the same version as the rest, so it is
/// configured by HOCON, as its README's "classic way" describes).
/// </summary>
public sealed record PersistenceSettings(PersistenceProvider Provider, string DataDirectory, string ConnectionString)
{
    /// <exception cref="ConfigurationException">Unknown provider, or PostgreSQL without a connection string.</exception>
    public static PersistenceSettings FromConfig(Config root)
    {
        var section = root.GetConfig("actorhttp.persistence") ?? throw new ConfigurationException("actorhttp.persistence is missing");
        var provider = section.GetString("provider", "sqlite") switch
        {
            "sqlite" => PersistenceProvider.Sqlite,
            "postgresql" => PersistenceProvider.PostgreSql,
            var other => throw new ConfigurationException($"actorhttp.persistence.provider: \"{other}\" is not sqlite or postgresql"),
        };
        var dataDirectory = Path.GetFullPath(section.GetString("data-dir", "data"));
        var connectionString = section.GetString("connection-string", string.Empty);
        if (provider == PersistenceProvider.PostgreSql && string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ConfigurationException("actorhttp.persistence.connection-string must be set for provider postgresql (Host=...;Port=...;Database=...;Username=...;Password=...)");
        }

        if (provider == PersistenceProvider.Sqlite && string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = $"Data Source={Path.Combine(dataDirectory, "actorhttp.db")}";
        }

        return new PersistenceSettings(provider, dataDirectory, connectionString);
    }

    /// <summary>linq2db's provider name (LinqToDB.ProviderName): the most specific one, as Akka.Persistence.Sql advises.</summary>
    public string ProviderName => Provider == PersistenceProvider.Sqlite ? "SQLite.MS" : "PostgreSQL.15";

    /// <summary>Makes the SQLite file's folder (the database file and its tables are created on first use).</summary>
    public void PrepareStore()
    {
        if (Provider == PersistenceProvider.Sqlite)
        {
            Directory.CreateDirectory(DataDirectory);
        }
    }

    /// <summary>The journal and snapshot store of Akka.Persistence.Sql on this database, tables created on first use.</summary>
    public string ToHocon()
    {
        var connection = Hosting.HoconText.Quote(ConnectionString);
        var provider = Hosting.HoconText.Quote(ProviderName);
        return $$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql {
                  class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
                  connection-string = {{connection}}
                  provider-name = {{provider}}
                  auto-initialize = true
                }
              }
              query.journal.sql {
                class = "Akka.Persistence.Sql.Query.SqlReadJournalProvider, Akka.Persistence.Sql"
                connection-string = {{connection}}
                provider-name = {{provider}}
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
                  connection-string = {{connection}}
                  provider-name = {{provider}}
                  auto-initialize = true
                }
              }
            }
            """;
    }
}
