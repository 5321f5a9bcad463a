import ArgumentParser
import Foundation
import Logging
import ReportServer

@main
struct ReportServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sriov-report-server",
        abstract: "Collects sriov-wizard reports from hosts; shows the fleet, each host's history and which hardware reaches working VFs.",
        discussion: """
            Run one:
              sriov-report-server token create --name desk --role upload
              sriov-report-server serve
              sriov-wizard report --upload http://HOST:8088 --token-file FILE    (on each host)

            Read tokens (role read or admin) sign in to the web pages at http://HOST:8088/ or call the JSON API
            (GET /api/v1/hosts) with `Authorization: Bearer TOKEN`.
            The database is sqlite:PATH (default \(DatabaseLocation.defaultValue)) or postgres://USER:PASSWORD@HOST:PORT/DATABASE.
            """,
        subcommands: [Serve.self, Token.self])
}

struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: "sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE (default \(DatabaseLocation.defaultValue)).")
    var database: String = DatabaseLocation.defaultValue

    func open() async throws -> any ReportStore {
        let store: any ReportStore
        do {
            store = try await DatabaseLocation(database).open()
            try await store.migrate()
        } catch {
            FileHandle.standardError.write(Data("sriov-report-server: \(error)\n".utf8))
            throw ExitCode(2)
        }
        return store
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the API and the web pages until SIGTERM (running requests finish first).",
        discussion: """
            Listens on 127.0.0.1:8088 unless --listen says otherwise. HTTPS: give --tls-cert and --tls-key
            (PEM; TLS 1.2 or later), or run it behind a reverse proxy such as nginx that terminates TLS and
            sends X-Forwarded-Proto (README, "Report server"). Session cookies are Secure over HTTPS.

            EXAMPLES:
              sriov-report-server serve --listen 0.0.0.0:8088 --database sqlite:/var/lib/sriov-report-server/reports.sqlite
              sriov-report-server serve --listen 0.0.0.0:8443 --tls-cert /etc/sriov-report-server/cert.pem --tls-key /etc/sriov-report-server/key.pem
              sriov-report-server serve --database postgres://reports:SECRET@db.example.com:5432/reports
            """)

    @Option(help: "Address and port to listen on, HOST:PORT.") var listen = "127.0.0.1:8088"
    @OptionGroup var db: DatabaseOption
    @Option(name: .customLong("body-timeout"), help: "Seconds allowed to receive one request body.") var bodyTimeout = 30
    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("Serve HTTPS with this PEM certificate (chain); needs --tls-key.", valueName: "FILE"))
    var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "FILE"))
    var tlsKey: String?

    func validate() throws {
        if bodyTimeout < 1 || bodyTimeout > 3600 { throw ValidationError("--body-timeout must be from 1 to 3600 seconds.") }
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key go together: give both (PEM files) for HTTPS, or neither for HTTP.")
        }
        var settings = ServerSettings()
        settings.tlsCertificate = tlsCert
        settings.tlsKey = tlsKey
        do { _ = try settings.tlsConfiguration() } catch { throw ValidationError("\(error)") }
    }

    func run() async throws {
        var settings = ServerSettings()
        do { try settings.setListen(listen) } catch { throw ValidationError("\(error)") }
        settings.database = db.database
        settings.bodyTimeout = .seconds(bodyTimeout)
        settings.tlsCertificate = tlsCert
        settings.tlsKey = tlsKey
        // Logs go to standard error (journald under systemd); standard output has the "listening" line.
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "sriov-report-server")
        logger.logLevel = ProcessInfo.processInfo.environment["SRIOV_REPORT_SERVER_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        let store = try await db.open()
        let app = ReportServerApp(store: store, settings: settings, logger: logger)
        let scheme = settings.usesTLS ? "https" : "http"
        do {
            try await app.run { address in
                // Tests and scripts wait for this line (the real port when --listen gave :0).
                FileHandle.standardOutput.write(Data("sriov-report-server: listening on \(address) (\(scheme))\n".utf8))
            }
        } catch {
            await store.close()
            FileHandle.standardError.write(Data("sriov-report-server: \(error)\n".utf8))
            throw ExitCode(1)
        }
        await store.close()
    }
}

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke access tokens.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token; it is printed once, as the last line, and only its hash is stored.",
            discussion: "Roles: upload (hosts posting reports; the name becomes the reports' site), read (pages and API), admin.")
        @Option(help: "A name for the token (letters, digits, . _ -); upload tokens name the site.") var name: String
        @Option(help: "upload, read or admin.") var role: String
        @OptionGroup var db: DatabaseOption

        func validate() throws {
            guard Tokens.validName(name) else { throw ValidationError("--name \(name): use 1 to 64 letters, digits, '.', '_' or '-'.") }
            guard Role(rawValue: role) != nil else { throw ValidationError("--role \(role): use upload, read or admin.") }
        }

        func run() async throws {
            let store = try await db.open()
            if try await store.tokens().contains(where: { $0.name == name && $0.revoked == nil }) {
                FileHandle.standardError.write(Data("sriov-report-server: a token named \(name) exists; revoke it first (`sriov-report-server token revoke \(name)`) or choose another name\n".utf8))
                await store.close()
                throw ExitCode(2)
            }
            let token = Tokens.generate()
            try await store.createToken(TokenRecord(name: name, role: Role(rawValue: role)!, hash: Tokens.hash(token), created: nowText(), revoked: nil))
            await store.close()
            print("created \(role) token \"\(name)\"; it is shown only now, store it (e.g. in a file for --token-file):")
            print(token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (names, roles, dates; never the tokens).")
        @OptionGroup var db: DatabaseOption
        @Flag(help: "JSON for scripts.") var json = false

        func run() async throws {
            let store = try await db.open()
            let list = try await store.tokens()
            await store.close()
            if json {
                let items = list.map { t in
                    "{\"name\":\(quote(t.name)),\"role\":\(quote(t.role.rawValue)),\"created\":\(quote(t.created)),\"revoked\":\(t.revoked.map(quote) ?? "null")}"
                }
                print("{\"tokens\":[" + items.joined(separator: ",") + "]}")
                return
            }
            if list.isEmpty { print("no tokens; create one with `sriov-report-server token create --name NAME --role upload|read|admin`"); return }
            for t in list {
                print([t.name, t.role.rawValue, "created " + t.created, t.revoked.map { "revoked " + $0 } ?? "active"].joined(separator: "\t"))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token at once (its sign-in sessions end too).")
        @Argument(help: "The token's name.") var name: String
        @OptionGroup var db: DatabaseOption

        func run() async throws {
            let store = try await db.open()
            let done = try await store.revokeToken(name: name, at: nowText())
            await store.close()
            guard done else {
                FileHandle.standardError.write(Data("sriov-report-server: no active token named \(name); see `sriov-report-server token list`\n".utf8))
                throw ExitCode(2)
            }
            print("revoked token \"\(name)\"")
        }
    }
}

func nowText() -> String {
    let f = ISO8601DateFormatter()
    f.timeZone = TimeZone(identifier: "UTC")
    return f.string(from: Date())
}

func quote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
        default: out.unicodeScalars.append(u)
        }
    }
    return out + "\""
}
