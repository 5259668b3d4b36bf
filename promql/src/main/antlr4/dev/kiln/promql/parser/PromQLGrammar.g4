/*
 * The syntax of PromQL. Precedence follows Prometheus: postfix modifiers ([range], offset, @,
 * anchored/smoothed) bind tightest, then ^ (right-associative), unary minus/plus, * / % atan2,
 * + -, comparisons, and/unless, or. Types, arities and names are checked by AstBuilder, which
 * turns this tree into Kiln's own AST.
 */
parser grammar PromQLGrammar;

options { tokenVocab = PromQLLexer; }

query : expression EOF;

expression
    : expression LEFT_BRACKET range=durationExpr (COLON step=durationExpr?)? RIGHT_BRACKET  # rangeOrSubquery
    | expression (ANCHORED | SMOOTHED)                                                      # extendedRange
    | expression OFFSET offsetValue                                                         # offset
    | expression AT atValue                                                                 # at
    | <assoc=right> expression op=POW binModifier expression                                # binary
    | op=(ADD | SUB) expression                                                             # unary
    | expression op=(MUL | DIV | MOD | ATAN2) binModifier expression                        # binary
    | expression op=(ADD | SUB) binModifier expression                                      # binary
    | expression op=(EQLC | NEQ | GTR | LSS | GTE | LTE | TRIM_UPPER | TRIM_LOWER) binModifier expression # binary
    | expression op=(AND | UNLESS) binModifier expression                                   # binary
    | expression op=OR binModifier expression                                               # binary
    | (NUMBER | DURATION)                                                                   # numberLiteral
    | STRING                                                                                # stringLiteral
    | LEFT_PAREN expression RIGHT_PAREN                                                     # paren
    | IDENTIFIER pre=grouping? LEFT_PAREN functionArgs? RIGHT_PAREN post=grouping?          # call
    | metricName labelMatchers?                                                             # selector
    | labelMatchers                                                                         # selector
    ;

functionArgs : expression (COMMA expression)* trailingComma=COMMA?;

grouping : (BY | WITHOUT) labelList;

binModifier : BOOL? ((ON | IGNORING) labelList ((GROUP_LEFT | GROUP_RIGHT) labelList?)?)? fillModifier*;

fillModifier : (FILL | FILL_LEFT | FILL_RIGHT) LEFT_PAREN (ADD | SUB)? NUMBER RIGHT_PAREN;

labelList : LEFT_PAREN (labelName (COMMA labelName)* COMMA?)? RIGHT_PAREN;

labelName : IDENTIFIER | STRING | METRIC_IDENTIFIER | keyword;

keyword
    : AND | OR | UNLESS | ATAN2 | BOOL | ON | IGNORING | GROUP_LEFT | GROUP_RIGHT | BY | WITHOUT
    | OFFSET | ANCHORED | SMOOTHED | FILL | FILL_LEFT | FILL_RIGHT
    ;

metricName
    : IDENTIFIER | METRIC_IDENTIFIER | BY | WITHOUT | OFFSET | ANCHORED | SMOOTHED | AND | OR | UNLESS
    | FILL | FILL_LEFT | FILL_RIGHT
    ;

labelMatchers : LEFT_BRACE (labelMatcher (COMMA labelMatcher)* COMMA?)? RIGHT_BRACE;

labelMatcher
    : name=(IDENTIFIER | STRING) op=(EQL | NEQ | EQL_REGEX | NEQ_REGEX) value=STRING  # matcher
    | STRING                                                                          # quotedMetricName
    ;

offsetValue : sign=(ADD | SUB)? durationAtom;

atValue
    : sign=(ADD | SUB)? (NUMBER | DURATION)
    | IDENTIFIER LEFT_PAREN RIGHT_PAREN
    ;

durationExpr
    : <assoc=right> durationExpr op=POW durationExpr  # durationBinary
    | op=(ADD | SUB) durationExpr                     # durationUnary
    | durationExpr op=(MUL | DIV | MOD) durationExpr  # durationBinary
    | durationExpr op=(ADD | SUB) durationExpr        # durationBinary
    | durationAtom                                    # durationPrimary
    ;

durationAtom
    : NUMBER | DURATION
    | LEFT_PAREN durationExpr RIGHT_PAREN
    | IDENTIFIER LEFT_PAREN (durationExpr (COMMA durationExpr)*)? RIGHT_PAREN
    ;
