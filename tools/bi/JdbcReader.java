// `make bi-test`: the published marts read through the DuckDB JDBC driver, opened as DBeaver and Metabase
// open it: DriverManager, the jdbc:duckdb:<path> URL, driver property duckdb.read_only=true.
// Run by tools/bi_check.py with the driver jar on the class path (Java's source launcher: no build step):
//   java -cp duckdb_jdbc.jar tools/bi/JdbcReader.java queries <marts.duckdb> <file of ;-separated queries>
//       one JSON line per query: {"columns": [...], "types": [...], "rows": [[text or null, ...], ...]}
//   java -cp duckdb_jdbc.jar tools/bi/JdbcReader.java hold <marts.duckdb>
//       holds a connection open; answers "query" on it and "reconnect" with a new one, one line each
//   java -cp duckdb_jdbc.jar tools/bi/JdbcReader.java catalog <marts.duckdb>
//       what DBeaver's navigator reads (DatabaseMetaData): one JSON line per table, its REMARKS, and its
//       columns with their REMARKS
//   java -cp duckdb_jdbc.jar tools/bi/JdbcReader.java write <marts.duckdb>
//       tries to write through the read-only connection: one line, "refused <message>" or "written"
// Only java.sql is used, so this compiles and runs against whichever driver the class path brings.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

public class JdbcReader {
    static Connection open(String path) throws SQLException {
        Properties props = new Properties();
        props.setProperty("duckdb.read_only", "true");
        return DriverManager.getConnection("jdbc:duckdb:" + path, props);
    }

    static String json(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c)); else b.append(c);
            }
        }
        return b.append('"').toString();
    }

    static String list(List<String> items) {
        return "[" + String.join(", ", items) + "]";
    }

    static void queries(String path, String file) throws Exception {
        String text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        try (Connection con = open(path); Statement st = con.createStatement()) {
            for (String sql : text.split(";")) {
                if (sql.strip().isEmpty()) continue;
                try (ResultSet rs = st.executeQuery(sql)) {
                    ResultSetMetaData meta = rs.getMetaData();
                    List<String> columns = new ArrayList<>(), types = new ArrayList<>(), rows = new ArrayList<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        columns.add(json(meta.getColumnLabel(i)));
                        types.add(json(meta.getColumnTypeName(i)));
                    }
                    while (rs.next()) {
                        List<String> row = new ArrayList<>();
                        for (int i = 1; i <= meta.getColumnCount(); i++) row.add(json(rs.getString(i)));
                        rows.add(list(row));
                    }
                    System.out.println("{\"columns\": " + list(columns) + ", \"types\": " + list(types)
                            + ", \"rows\": " + list(rows) + "}");
                }
            }
        }
    }

    static String lastSession(Connection con) throws SQLException {
        try (Statement st = con.createStatement();
             ResultSet rs = st.executeQuery("SELECT max(trade_date) FROM marts.theme_daily")) {
            rs.next();
            return rs.getString(1);
        }
    }

    static void hold(String path) throws Exception {
        Connection con = open(path);
        System.out.println("connected " + lastSession(con));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.strip().equals("query")) {
                System.out.println("same connection " + lastSession(con));
            } else if (line.strip().equals("reconnect")) {
                con.close();
                con = open(path);
                System.out.println("reconnected " + lastSession(con));
            }
        }
        con.close();
    }

    static void catalog(String path) throws Exception {
        try (Connection con = open(path)) {
            DatabaseMetaData meta = con.getMetaData();
            try (ResultSet tables = meta.getTables(null, null, "%", new String[] {"TABLE", "BASE TABLE"})) {
                while (tables.next()) {
                    String schema = tables.getString("TABLE_SCHEM"), table = tables.getString("TABLE_NAME");
                    List<String> columns = new ArrayList<>();
                    try (ResultSet cols = meta.getColumns(null, schema, table, "%")) {
                        while (cols.next()) {
                            columns.add(list(List.of(json(cols.getString("COLUMN_NAME")), json(cols.getString("REMARKS")))));
                        }
                    }
                    System.out.println("{\"schema\": " + json(schema) + ", \"table\": " + json(table)
                            + ", \"remarks\": " + json(tables.getString("REMARKS")) + ", \"columns\": " + list(columns) + "}");
                }
            }
        }
    }

    static void write(String path) throws Exception {
        try (Connection con = open(path); Statement st = con.createStatement()) {
            st.execute("CREATE TABLE jdbc_write_probe (i INTEGER)");
            System.out.println("written");
        } catch (SQLException e) {
            System.out.println("refused " + e.getMessage().replace('\n', ' '));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("queries")) queries(args[1], args[2]);
        else if (args.length == 2 && args[0].equals("hold")) hold(args[1]);
        else if (args.length == 2 && args[0].equals("catalog")) catalog(args[1]);
        else if (args.length == 2 && args[0].equals("write")) write(args[1]);
        else throw new IllegalArgumentException(
                "usage: queries <file.duckdb> <queries.sql> | hold | catalog | write <file.duckdb>");
    }
}
