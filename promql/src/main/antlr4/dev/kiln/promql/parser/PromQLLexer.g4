/*
 * Tokens of PromQL, as Prometheus's lexer makes them. Three modes: expressions, the inside of
 * label matcher braces (where every word is a label name, never a keyword), and the inside of
 * range brackets (durations and duration expressions, where ':' separates range and step).
 * Keywords are case-insensitive; function names are not (the parser checks them).
 */
lexer grammar PromQLLexer;

tokens { EQL_REGEX, NEQ_REGEX, BRACE_ERROR_CHAR }

WS      : [ \t\r\n]+ -> channel(HIDDEN);
COMMENT : '#' ~[\r\n]* -> channel(HIDDEN);

LEFT_PAREN    : '(';
RIGHT_PAREN   : ')';
LEFT_BRACE    : '{' -> pushMode(BRACES);
RIGHT_BRACE   : '}';
LEFT_BRACKET  : '[' -> pushMode(BRACKETS);
RIGHT_BRACKET : ']';
COMMA         : ',';
AT            : '@';

TRIM_UPPER : '</';
TRIM_LOWER : '>/';
EQLC : '==';
NEQ  : '!=';
GTE  : '>=';
LTE  : '<=';
GTR  : '>';
LSS  : '<';
EQL  : '=';
ADD  : '+';
SUB  : '-';
MUL  : '*';
DIV  : '/';
MOD  : '%';
POW  : '^';

AND         : A N D;
OR          : O R;
UNLESS      : U N L E S S;
ATAN2       : A T A N '2';
BOOL        : B O O L;
ON          : O N;
IGNORING    : I G N O R I N G;
GROUP_LEFT  : G R O U P '_' L E F T;
GROUP_RIGHT : G R O U P '_' R I G H T;
BY          : B Y;
WITHOUT     : W I T H O U T;
OFFSET      : O F F S E T;
ANCHORED    : A N C H O R E D;
SMOOTHED    : S M O O T H E D;
FILL        : F I L L;
FILL_LEFT   : F I L L '_' L E F T;
FILL_RIGHT  : F I L L '_' R I G H T;

NUMBER     : Number;
DURATION   : Duration;
BAD_NUMBER : [0-9.] [0-9a-zA-Z_.]*;

IDENTIFIER        : [a-zA-Z_] [a-zA-Z0-9_]*;
METRIC_IDENTIFIER : [a-zA-Z_:] [a-zA-Z0-9_:]*;

STRING              : String;
UNTERMINATED_STRING : UnterminatedString;
ERROR_CHAR          : .;

mode BRACES;
B_WS            : [ \t\r\n]+ -> channel(HIDDEN);
B_COMMENT       : '#' ~[\r\n]* -> channel(HIDDEN);
B_IDENTIFIER    : [a-zA-Z_] [a-zA-Z0-9_]* -> type(IDENTIFIER);
B_STRING        : String -> type(STRING);
B_UNTERMINATED  : UnterminatedString -> type(UNTERMINATED_STRING);
B_EQL_REGEX     : '=~' -> type(EQL_REGEX);
B_NEQ_REGEX     : '!~' -> type(NEQ_REGEX);
B_NEQ           : '!=' -> type(NEQ);
B_EQL           : '=' -> type(EQL);
B_COMMA         : ',' -> type(COMMA);
B_RIGHT_BRACE   : '}' -> type(RIGHT_BRACE), popMode;
B_ERROR         : . -> type(BRACE_ERROR_CHAR);

mode BRACKETS;
K_WS            : [ \t\r\n]+ -> channel(HIDDEN);
K_NUMBER        : Number -> type(NUMBER);
K_DURATION      : Duration -> type(DURATION);
K_BAD_NUMBER    : [0-9.] [0-9a-zA-Z_.]* -> type(BAD_NUMBER);
K_IDENTIFIER    : [a-zA-Z_] [a-zA-Z0-9_]* -> type(IDENTIFIER);
COLON           : ':';
K_LEFT_PAREN    : '(' -> type(LEFT_PAREN);
K_RIGHT_PAREN   : ')' -> type(RIGHT_PAREN);
K_COMMA         : ',' -> type(COMMA);
K_ADD           : '+' -> type(ADD);
K_SUB           : '-' -> type(SUB);
K_MUL           : '*' -> type(MUL);
K_DIV           : '/' -> type(DIV);
K_MOD           : '%' -> type(MOD);
K_POW           : '^' -> type(POW);
K_RIGHT_BRACKET : ']' -> type(RIGHT_BRACKET), popMode;
K_ERROR         : . -> type(ERROR_CHAR);

fragment Number
    : '0' [xX] [0-9a-fA-F]+
    | [0-9]+ ('.' [0-9]*)? Exponent?
    | '.' [0-9]+ Exponent?
    | I N F
    | N A N
    ;
fragment Exponent : [eE] [+-]? [0-9]+;
fragment Duration : ([0-9]+ ('ms' | [smhdwy]))+;
fragment String
    : '"' (~["\\\n] | '\\' ~[\n])* '"'
    | '\'' (~['\\\n] | '\\' ~[\n])* '\''
    | '`' ~'`'* '`'
    ;
fragment UnterminatedString
    : '"' (~["\\\n] | '\\' ~[\n])* '\\'?
    | '\'' (~['\\\n] | '\\' ~[\n])* '\\'?
    | '`' ~'`'*
    ;

fragment A : [aA]; fragment B : [bB]; fragment C : [cC]; fragment D : [dD]; fragment E : [eE];
fragment F : [fF]; fragment G : [gG]; fragment H : [hH]; fragment I : [iI]; fragment L : [lL];
fragment N : [nN]; fragment O : [oO]; fragment R : [rR]; fragment S : [sS]; fragment T : [tT];
fragment P : [pP]; fragment U : [uU]; fragment W : [wW]; fragment Y : [yY]; fragment M : [mM];
